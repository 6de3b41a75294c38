// An OTF2 archive written by a test with the library's writer API, as a
// foreign tool would write it: serial, POSIX files, buffers flushed when full.
#pragma once

#include <otf2/otf2.h>

#include <string>

namespace rondo::test {

inline OTF2_FlushType otf2_flush_when_full(void*, OTF2_FileType, OTF2_LocationRef, void*, bool) { return OTF2_FLUSH; }

// DIR/traces.otf2, with its event files open; null when the library refuses.
inline OTF2_Archive* open_otf2_archive(const std::string& dir) {
  OTF2_Archive* a = OTF2_Archive_Open(dir.c_str(), "traces", OTF2_FILEMODE_WRITE, 1 << 20, 4 << 20,
                                      OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE);
  if (!a) return nullptr;
  static OTF2_FlushCallbacks flush{otf2_flush_when_full, nullptr};
  if (OTF2_Archive_SetFlushCallbacks(a, &flush, nullptr) != OTF2_SUCCESS ||
      OTF2_Archive_SetSerialCollectiveCallbacks(a) != OTF2_SUCCESS || OTF2_Archive_OpenEvtFiles(a) != OTF2_SUCCESS) {
    OTF2_Archive_Close(a);
    return nullptr;
  }
  return a;
}

}  // namespace rondo::test
