-- The general classification after each stage with a `young` flag: a rider is young when born on
-- or after 1 January of the stage's year minus 25 (the UCI rule for the best young rider, the
-- white jersey); `young_rank` ranks the young riders (1 wears the white jersey), `gap_s` is the
-- gap to the yellow jersey. Birth dates stay in staging: the view shows only the flag.
CREATE OR REPLACE VIEW lakehouse_rw.views.young_riders_classification AS
WITH flagged AS (
    SELECT
        g.stage,
        g.bib,
        g.rider_name,
        g.team,
        g.rank,
        g.total_time_s,
        g.gap_s,
        coalesce(
            a.birth_date >= date_add('year', -25, date_trunc('year', s.stage_date)), false
        ) AS young
    FROM lakehouse.marts.general_classification AS g
    JOIN lakehouse.staging.stages AS s ON s.stage = g.stage
    LEFT JOIN lakehouse.staging.athletes AS a ON a.bib = g.bib
)
SELECT
    stage,
    bib,
    rider_name,
    team,
    rank,
    total_time_s,
    gap_s,
    young,
    CASE WHEN young THEN row_number() OVER (PARTITION BY stage, young ORDER BY rank) END
        AS young_rank
FROM flagged
