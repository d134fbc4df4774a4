-- The flyby GIFs exported for each stage: the duel, the segment, the gap, and where the GIF is
-- under the warehouse (export_path), the path the exports server (`peloton gif serve`) serves
-- it at; the stage explorer links there.
CREATE OR REPLACE VIEW lakehouse_rw.views.flyby_exports AS
SELECT
    stage,
    stage_date,
    export_id,
    kind,
    title,
    segment_name,
    category,
    bib_a,
    rider_a,
    bib_b,
    rider_b,
    gap_s,
    frames,
    bytes,
    regexp_extract(path, 'exports/gifs/.*$') AS export_path,
    rendered_at
FROM lakehouse.marts.gif_exports
