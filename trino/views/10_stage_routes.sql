-- Each stage route as a line geometry, with its length on the sphere beside the official distance.
CREATE OR REPLACE VIEW lakehouse.views.stage_routes AS
WITH paths AS (
    SELECT
        stage,
        ST_LineString(array_agg(ST_Point(lon, lat) ORDER BY seq)) AS route,
        array_agg(ARRAY[round(lon, 6), round(lat, 6)] ORDER BY seq) AS coordinates,
        count(*) AS points,
        max(ele_m) AS highest_m
    FROM lakehouse.views.route_points
    GROUP BY stage
)
SELECT
    s.stage,
    s.stage_date,
    s.start,
    s.finish,
    s.kind,
    s.profile,
    s.distance_km AS official_km,
    ST_Length(to_spherical_geography(p.route)) / 1000.0 AS length_km,
    100.0 * (ST_Length(to_spherical_geography(p.route)) / 1000.0 - s.distance_km)
        / nullif(s.distance_km, 0) AS length_error_pct,
    p.points,
    p.highest_m,
    ST_AsText(p.route) AS route_wkt,
    json_format(CAST(p.coordinates AS JSON)) AS path_json
FROM paths AS p
JOIN lakehouse.staging.stages AS s ON s.stage = p.stage
