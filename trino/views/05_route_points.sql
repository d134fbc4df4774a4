-- The routes' path points in order, without consecutive repeats of a position (a line geometry
-- refuses them): the base of the route and climb geometries.
CREATE OR REPLACE VIEW lakehouse_rw.views.route_points AS
SELECT stage, seq, lat, lon, ele_m, distance_km
FROM (
    SELECT
        stage, seq, lat, lon, ele_m, distance_km,
        lag(lat) OVER (PARTITION BY stage ORDER BY seq) AS previous_lat,
        lag(lon) OVER (PARTITION BY stage ORDER BY seq) AS previous_lon
    FROM lakehouse.staging.stage_routes
)
WHERE previous_lat IS NULL OR lat <> previous_lat OR lon <> previous_lon
