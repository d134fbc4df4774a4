-- Each categorized climb, foot to summit, as a line along the route: length on the sphere,
-- elevation gained and average gradient.
CREATE OR REPLACE VIEW lakehouse_rw.views.climbs AS
WITH ends AS (
    SELECT
        f.stage,
        f.climb_number,
        s.name,
        s.category,
        f.distance_km AS foot_km,
        s.distance_km AS summit_km,
        f.ele_m AS foot_ele_m,
        s.ele_m AS summit_ele_m
    FROM lakehouse.staging.checkpoints AS f
    JOIN lakehouse.staging.checkpoints AS s
        ON s.stage = f.stage AND s.climb_number = f.climb_number
    WHERE f.checkpoint = 'climb_foot' AND s.checkpoint = 'climb_summit'
),
lines AS (
    SELECT
        e.stage,
        e.climb_number,
        ST_LineString(array_agg(ST_Point(r.lon, r.lat) ORDER BY r.seq)) AS climb
    FROM ends AS e
    JOIN lakehouse.views.route_points AS r
        ON r.stage = e.stage AND r.distance_km BETWEEN e.foot_km AND e.summit_km
    GROUP BY e.stage, e.climb_number
    HAVING count(*) >= 2
)
SELECT
    e.stage,
    e.climb_number,
    e.name,
    e.category,
    e.foot_km,
    e.summit_km,
    e.foot_ele_m,
    e.summit_ele_m,
    ST_Length(to_spherical_geography(l.climb)) / 1000.0 AS length_km,
    e.summit_ele_m - e.foot_ele_m AS gain_m,
    (e.summit_ele_m - e.foot_ele_m) / ST_Length(to_spherical_geography(l.climb)) * 100.0
        AS avg_gradient_pct,
    ST_AsText(l.climb) AS climb_wkt
FROM ends AS e
JOIN lines AS l ON l.stage = e.stage AND l.climb_number = e.climb_number
