-- Each stage route as a line geometry, with its length on the sphere beside the official distance.
-- `path_json` is the route for maps: simplified (Douglas-Peucker, 0.0001 degree, about 10 m), which
-- keeps about one point in ten; `route_wkt` keeps every surveyed point.
CREATE OR REPLACE VIEW lakehouse_rw.views.stage_routes AS
WITH paths AS (
    SELECT
        stage,
        ST_LineString(array_agg(ST_Point(lon, lat) ORDER BY seq)) AS route,
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
    json_format(CAST(
        transform(
            ST_Points(simplify_geometry(p.route, 0.0001)),
            point -> ARRAY[round(ST_X(point), 5), round(ST_Y(point), 5)]
        ) AS JSON
    )) AS path_json
FROM paths AS p
JOIN lakehouse.staging.stages AS s ON s.stage = p.stage
