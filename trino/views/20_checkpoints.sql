-- Checkpoints (start, sprints, climbs' feet and summits, finish) as points.
CREATE OR REPLACE VIEW lakehouse_rw.views.checkpoints AS
SELECT
    stage,
    stage_date,
    checkpoint,
    name,
    category,
    climb_number,
    distance_km,
    lat,
    lon,
    ele_m,
    ST_AsText(ST_Point(lon, lat)) AS point_wkt
FROM lakehouse.staging.checkpoints
