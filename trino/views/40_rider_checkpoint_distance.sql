-- Distance (m, great circle) from each rider's position to each checkpoint of the stage, at every
-- recorded second: filter on stage, bib and checkpoint (and a time range).
CREATE OR REPLACE VIEW lakehouse_rw.views.rider_checkpoint_distance AS
SELECT
    p.stage,
    p.stage_date,
    p.bib,
    p.rider_name,
    p.recorded_at,
    c.checkpoint,
    c.name AS checkpoint_name,
    c.climb_number,
    1000.0 * great_circle_distance(p.lat, p.lon, c.lat, c.lon) AS distance_m
FROM lakehouse.views.rider_positions AS p
JOIN lakehouse.staging.checkpoints AS c ON c.stage = p.stage
