-- Average speed per Bing tile at zoom 15 (about 865 m square at 45 degrees north), per stage,
-- from the clean points with a speed. `riders` is approximate (HyperLogLog, about 2 % error):
-- an exact distinct count doubles the time of a dashboard's heatmap.
CREATE OR REPLACE VIEW lakehouse.views.speed_heatmap AS
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
    ST_AsText(bing_tile_polygon(tile)) AS tile_wkt
FROM tiled
GROUP BY stage, tile
