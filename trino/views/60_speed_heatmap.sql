-- Average speed per Bing tile at zoom 15 (about 850 m by 600 m at 45 degrees north), per stage.
CREATE OR REPLACE VIEW lakehouse.views.speed_heatmap AS
WITH tiled AS (
    SELECT stage, bing_tile_at(lat, lon, 15) AS tile, speed_kmh, athlete_id
    FROM lakehouse.views.rider_positions
    WHERE speed_kmh IS NOT NULL
)
SELECT
    stage,
    bing_tile_quadkey(tile) AS quadkey,
    avg(speed_kmh) AS avg_speed_kmh,
    max(speed_kmh) AS max_speed_kmh,
    count(*) AS points,
    count(DISTINCT athlete_id) AS riders,
    ST_Y(ST_Centroid(bing_tile_polygon(tile))) AS lat,
    ST_X(ST_Centroid(bing_tile_polygon(tile))) AS lon,
    ST_AsText(bing_tile_polygon(tile)) AS tile_wkt
FROM tiled
GROUP BY stage, tile
