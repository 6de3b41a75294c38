/* File I/O with known byte counts, for the io module.
 *
 *   file_io DIRECTORY [BLOCK_BYTES] [BLOCKS]     (default 4096 16)
 *
 * In DIRECTORY, writes "posix.dat" with write (BLOCKS blocks), pwrite (one
 * block at offset 0, over the first), writev (two iovecs of half a block), then
 * fsync and fdatasync; reads it back with lseek to 0, read (BLOCKS blocks),
 * pread (one block at offset 0), readv (two halves of one block, at the end:
 * nothing left, 0 bytes). Then "stdio.dat" with fwrite (BLOCKS blocks), fflush,
 * and fread of the same. Removes both files.
 *
 * Bytes: written (2 * BLOCKS + 2) * BLOCK (POSIX: BLOCKS + 1 + 1 blocks; stdio:
 * BLOCKS blocks); read as much (POSIX: the BLOCKS + 1 blocks of the file, as
 * BLOCKS of write and the block of writev left it, then one block again with
 * pread, and 0 bytes from readv; stdio: BLOCKS blocks). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int fail(const char* what) {
  perror(what);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIRECTORY [BLOCK_BYTES] [BLOCKS]\n", argv[0]);
    return 2;
  }
  size_t block = argc > 2 ? (size_t)atol(argv[2]) : 4096;
  int blocks = argc > 3 ? atoi(argv[3]) : 16;
  if (block < 2 || blocks < 1) {
    fprintf(stderr, "usage: %s DIRECTORY [BLOCK_BYTES>=2] [BLOCKS>=1]\n", argv[0]);
    return 2;
  }
  char posix_path[4096], stdio_path[4096];
  snprintf(posix_path, sizeof posix_path, "%s/posix.dat", argv[1]);
  snprintf(stdio_path, sizeof stdio_path, "%s/stdio.dat", argv[1]);
  char* buf = malloc(block);
  memset(buf, 'x', block);
  long written = 0, got = 0;

  int fd = open(posix_path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return fail("open");
  for (int i = 0; i < blocks; ++i) written += write(fd, buf, block);
  written += pwrite(fd, buf, block, 0);
  struct iovec halves[2] = {{buf, block / 2}, {buf + block / 2, block - block / 2}};
  written += writev(fd, halves, 2);
  if (fsync(fd) != 0) return fail("fsync");
  if (fdatasync(fd) != 0) return fail("fdatasync");
  if (lseek(fd, 0, SEEK_SET) != 0) return fail("lseek");
  for (int i = 0; i < blocks + 1; ++i) got += read(fd, buf, block);
  got += pread(fd, buf, block, 0);
  got += readv(fd, halves, 2);  /* at the end of the file: 0 */
  if (close(fd) != 0) return fail("close");

  FILE* f = fopen(stdio_path, "w+");
  if (!f) return fail("fopen");
  for (int i = 0; i < blocks; ++i) written += (long)fwrite(buf, 1, block, f);
  if (fflush(f) != 0) return fail("fflush");
  rewind(f);
  for (int i = 0; i < blocks; ++i) got += (long)fread(buf, 1, block, f);
  if (fclose(f) != 0) return fail("fclose");

  unlink(posix_path);
  unlink(stdio_path);
  free(buf);
  printf("file_io: %ld bytes written, %ld bytes read\n", written, got);
  long expect_written = 2L * blocks * (long)block + 2L * (long)block;
  long expect_read = expect_written;
  return written == expect_written && got == expect_read ? 0 : 1;
}
