#include "events/event.h"

namespace backpack {

std::string_view EventTypeName(EventType type) {
  const char* name = fb::EnumNameEventType(type);
  return name && *name ? std::string_view(name) : std::string_view("Unknown");
}

}  // namespace backpack
