/* bundle.h — packing a delivery: every file of a directory tree into one
 * zip (libzip), and removing the tree afterwards. */
#ifndef FT_GIS_BUNDLE_H
#define FT_GIS_BUNDLE_H

/* Writes every regular file under dir (names relative to dir, in name
 * order) into a new zip at zip_path. Returns 0, or -1. */
int gis_bundle_zip(const char *dir, const char *zip_path);

/* Removes dir and everything in it (a temporary tree of ours). */
void gis_bundle_remove(const char *dir);

#endif
