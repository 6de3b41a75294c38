// Whether the recorded program uses CUDA at all, so that the cuda module stays
// silent and inert in processes that do not (a launcher, a shell script, a
// helper program started by a recorded job).
#pragma once

namespace rondo::cuda {

// True when a CUDA runtime or driver library is loaded, or when the executable
// carries device code (a `.nv_fatbin` section: nvcc links the CUDA runtime
// statically by default, so no library shows it).
bool program_uses_cuda();

}  // namespace rondo::cuda
