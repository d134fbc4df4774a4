-- Average speed per Bing tile at zoom 15 (about 865 m square at 45 degrees north), per stage, from
-- the clean points with a speed; the tile as WKT and as a closed JSON ring of [lon, lat] (deck.gl's
-- polygon format). `riders` is approximate (HyperLogLog, about 2 % error): an exact distinct count
-- doubles the time of a dashboard's heatmap. Filter on stage, not on the tile columns: a predicate
-- on a tile column is evaluated for every point.
CREATE OR REPLACE VIEW lakehouse_rw.views.speed_heatmap AS
WITH tiled AS (
    SELECT stage, bing_tile_at(lat, lon, 15) AS tile, speed_kmh, athlete_id
    FROM lakehouse.staging.telemetry
    WHERE speed_kmh IS NOT NULL AND NOT (is_spike OR is_jump OR off_route)
)
SELECT
    stage,
    bing_tile_quadkey(tile) AS quadkey,
    avg(speed_kmh) AS avg_speed_kmh,
    max(speed_kmh) AS max_speed_kmh,
    count(*) AS points,
    approx_distinct(athlete_id) AS riders,
    ST_Y(ST_Centroid(bing_tile_polygon(tile))) AS lat,
    ST_X(ST_Centroid(bing_tile_polygon(tile))) AS lon,
    ST_AsText(bing_tile_polygon(tile)) AS tile_wkt,
    -- the tile as a closed ring of [lon, lat], deck.gl's polygon format
    format(
        '[[%1$.6f,%2$.6f],[%3$.6f,%2$.6f],[%3$.6f,%4$.6f],[%1$.6f,%4$.6f],[%1$.6f,%2$.6f]]',
        ST_XMin(bing_tile_polygon(tile)), ST_YMin(bing_tile_polygon(tile)),
        ST_XMax(bing_tile_polygon(tile)), ST_YMax(bing_tile_polygon(tile))
    ) AS tile_json
FROM tiled
GROUP BY stage, tile
