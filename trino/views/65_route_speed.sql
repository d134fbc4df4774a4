-- The route cut into pieces, one per Bing tile of zoom 15 it crosses (about 865 m, the tiles of
-- `speed_heatmap`), each with the riders' average speed in its tile. `geojson` is the piece as a
-- GeoJSON LineString feature for deck.gl (the stage explorer's route map draws it with deck.gl's
-- path layer), simplified like `stage_routes.path_json` (about 10 m), ending on the next piece's
-- first point so that the pieces join, its colour by speed band in `properties.strokeColor`:
--   red below 25 km/h, orange 25-35, yellow 35-45, light green 45-55, green 55 and above,
--   grey where no rider's clean point fell in the tile.
CREATE OR REPLACE VIEW lakehouse_rw.views.route_speed AS
WITH points AS (
    SELECT
        stage, seq, lat, lon, distance_km,
        bing_tile_quadkey(bing_tile_at(lat, lon, 15)) AS quadkey
    FROM lakehouse.views.route_points
),
marked AS (
    SELECT
        *,
        CASE WHEN quadkey = lag(quadkey) OVER (PARTITION BY stage ORDER BY seq) THEN 0 ELSE 1 END
            AS starts,
        lead(lon) OVER (PARTITION BY stage ORDER BY seq) AS next_lon,
        lead(lat) OVER (PARTITION BY stage ORDER BY seq) AS next_lat
    FROM points
),
numbered AS (
    SELECT *, sum(starts) OVER (PARTITION BY stage ORDER BY seq) AS piece
    FROM marked
),
pieces AS (
    SELECT
        stage,
        piece,
        arbitrary(quadkey) AS quadkey,
        min(distance_km) AS from_km,
        max(distance_km) AS to_km,
        array_agg(ST_Point(lon, lat) ORDER BY seq)
            || filter(ARRAY[max_by(ST_Point(next_lon, next_lat), seq)], p -> p IS NOT NULL)
            AS line
    FROM numbered
    GROUP BY stage, piece
),
speeds AS (
    SELECT
        p.stage,
        p.piece,
        p.quadkey,
        p.from_km,
        p.to_km,
        h.avg_speed_kmh,
        transform(
            ST_Points(simplify_geometry(ST_LineString(p.line), 0.0001)),
            point -> ARRAY[round(ST_X(point), 5), round(ST_Y(point), 5)]
        ) AS coordinates
    FROM pieces AS p
    LEFT JOIN lakehouse.views.speed_heatmap AS h ON h.stage = p.stage AND h.quadkey = p.quadkey
    WHERE cardinality(p.line) >= 2
)
SELECT
    stage,
    piece,
    quadkey,
    from_km,
    to_km,
    avg_speed_kmh,
    format(
        '{"type":"Feature","geometry":{"type":"LineString","coordinates":%s},'
        || '"properties":{"strokeColor":"%s"}}',
        json_format(CAST(coordinates AS JSON)),
        CASE
            WHEN avg_speed_kmh IS NULL THEN '#9e9e9e'
            WHEN avg_speed_kmh < 25 THEN '#d73027'
            WHEN avg_speed_kmh < 35 THEN '#fc8d59'
            WHEN avg_speed_kmh < 45 THEN '#fee08b'
            WHEN avg_speed_kmh < 55 THEN '#91cf60'
            ELSE '#1a9850'
        END
    ) AS geojson
FROM speeds
