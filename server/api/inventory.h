/* inventory.h — the descriptions of the network inventory resources. */
#ifndef FT_INVENTORY_H
#define FT_INVENTORY_H

#include "api/resource.h"

extern const struct resource projects_resource;
extern const struct resource contractors_resource;
extern const struct resource lots_resource;
extern const struct resource nodes_resource;
extern const struct resource segments_resource;
extern const struct resource premises_resource;
extern const struct resource users_resource;

#endif
