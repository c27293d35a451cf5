-- What the federal GIS-Nebenbestimmungen (GIS-NBest 5.1) ask of a segment
-- beyond what fibertrack held (see docs/gis-nbest.md): the laying depth in
-- metres, the duct type as the code of GIS-NBest's duct type list, and
-- whether the segment was laid together with another network (co-laying:
-- by a third party, or by the funded company itself).
ALTER TABLE segments
    ADD COLUMN laying_depth_m DECIMAL(4,2) NULL AFTER duct_type,
    ADD COLUMN duct_type_code SMALLINT UNSIGNED NULL AFTER laying_depth_m,
    ADD COLUMN co_laying ENUM('none','third_party','own') NULL AFTER duct_type_code;
