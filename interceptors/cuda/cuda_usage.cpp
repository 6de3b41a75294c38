#include "cuda_usage.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace rondo::cuda {
namespace {

int find_cuda_library(dl_phdr_info* info, size_t, void* found) {
  const char* name = info->dlpi_name;
  if (name && (std::strstr(name, "libcudart") || std::strstr(name, "libcuda.so"))) {
    *static_cast<bool*>(found) = true;
    return 1;
  }
  return 0;
}

bool read_at(int fd, void* out, size_t size, off_t offset) {
  return pread(fd, out, size, offset) == static_cast<ssize_t>(size);
}

// Reads the section headers of /proc/self/exe and looks for `.nv_fatbin`.
bool executable_has_device_code() {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool found = false;
  Elf64_Ehdr header;
  if (read_at(fd, &header, sizeof header, 0) && std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
      header.e_ident[EI_CLASS] == ELFCLASS64 && header.e_shentsize == sizeof(Elf64_Shdr) &&
      header.e_shstrndx < header.e_shnum) {
    std::vector<Elf64_Shdr> sections(header.e_shnum);
    Elf64_Shdr names;
    if (read_at(fd, sections.data(), sections.size() * sizeof(Elf64_Shdr), static_cast<off_t>(header.e_shoff))) {
      names = sections[header.e_shstrndx];
      std::string table(names.sh_size, '\0');
      if (names.sh_size < (1u << 24) && read_at(fd, table.data(), table.size(), static_cast<off_t>(names.sh_offset)))
        for (const Elf64_Shdr& s : sections)
          if (s.sh_name < table.size() && std::strcmp(table.c_str() + s.sh_name, ".nv_fatbin") == 0) found = true;
    }
  }
  close(fd);
  return found;
}

}  // namespace

bool program_uses_cuda() {
  bool found = false;
  dl_iterate_phdr(find_cuda_library, &found);
  return found || executable_has_device_code();
}

}  // namespace rondo::cuda
