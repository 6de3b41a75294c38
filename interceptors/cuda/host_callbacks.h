// Host side of the cuda module: CUDA runtime/driver API calls and NVTX ranges
// as regions on the calling thread, through CUPTI's callback API.
#pragma once

namespace rondo::cuda {

// Subscribes to the runtime, driver and NVTX callback domains (once; after
// start_activity). Reports a failure once and records no host-side GPU calls then.
void start_host_callbacks();

}  // namespace rondo::cuda
