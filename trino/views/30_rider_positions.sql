-- Riders' clean GPS points (no spike, jump or off-route point) as points, with the rider.
CREATE OR REPLACE VIEW lakehouse_rw.views.rider_positions AS
SELECT
    t.stage,
    t.stage_date,
    a.bib,
    a.rider_name,
    a.team,
    t.athlete_id,
    t.recorded_at,
    t.lat,
    t.lon,
    t.distance_km,
    t.speed_kmh,
    t.heart_rate_bpm,
    t.power_w,
    t.route_gradient_pct
FROM lakehouse.staging.telemetry AS t
JOIN lakehouse.staging.athletes AS a ON a.athlete_id = t.athlete_id
WHERE NOT (t.is_spike OR t.is_jump OR t.off_route)
