// Issue #22: a TU that only decides includes <warden/engine.hpp> and must not pay for fmt. The
// rails, the engine's limits, build_facts and validate build their reasons and field names with
// detail::reason (include/warden/detail/reason.hpp); fmt stays with the renderers (io/, the
// umbrella header). A header on the decide path that includes fmt again fails this TU.
#include <warden/engine.hpp>

#ifdef FMT_VERSION
#error "<warden/engine.hpp> includes fmt: build the text with warden::detail::reason instead"
#endif
