-- Each rider's closest approach to each checkpoint: when, and how close (m).
CREATE OR REPLACE VIEW lakehouse_rw.views.checkpoint_passages AS
SELECT
    stage,
    bib,
    rider_name,
    checkpoint,
    checkpoint_name,
    climb_number,
    min(distance_m) AS closest_m,
    min_by(recorded_at, distance_m) AS closest_at
FROM lakehouse.views.rider_checkpoint_distance
GROUP BY stage, bib, rider_name, checkpoint, checkpoint_name, climb_number
