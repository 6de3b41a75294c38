! Every Fortran binding Rondo wraps, with exactly known counts. Built twice: with
! `use mpi` (ierror always passed, MPI_Init) and with -DUSE_F08 (`use mpi_f08`,
! ierror never passed, MPI_Init_thread). p ranks on a ring, L laps, n INTEGERs
! (B = 4n bytes) per message:
!
!   A  L x  MPI_Send to next / MPI_Recv from prev (rank 0 first)   L messages
!   B  L x  MPI_Irecv + MPI_Isend + 2 MPI_Wait                     L messages
!   C  L x  MPI_Irecv + MPI_Isend, MPI_Test until the receive is
!           done, MPI_Wait on the send                             L messages
!   D  L x  2 MPI_Irecv + 2 MPI_Isend + MPI_Waitall
!           (MPI_STATUSES_IGNORE)                                  2L messages
!   E  L x  MPI_Sendrecv (MPI_STATUS_IGNORE)                       L messages
!   F  MPI_Barrier, MPI_Bcast, MPI_Reduce, MPI_Allreduce, MPI_Allreduce with
!      MPI_IN_PLACE, MPI_Gather (MPI_IN_PLACE and sendcount 0 at the root),
!      MPI_Scatter, MPI_Allgather, MPI_Alltoall on MPI_COMM_WORLD
!   G  MPI_Comm_split by parity (key -rank), MPI_Comm_rank/size on it, one
!      MPI_Sendrecv around its ring, MPI_Allreduce on it, MPI_Comm_dup of it,
!      MPI_Barrier on the copy, MPI_Comm_free of both                1 message
!   H  MPI_Cart_create (1-D, periodic), MPI_Cart_shift, one MPI_Sendrecv on it,
!      MPI_Cart_coords, MPI_Cart_rank, MPI_Cart_sub (all dimensions kept) and
!      MPI_Comm_free of both                                         1 message
!   I  one message each to the next rank, from the previous one:
!      MPI_Irecv + MPI_Ssend + MPI_Wait; MPI_Irecv + MPI_Bsend + MPI_Wait;
!      MPI_Irecv + MPI_Barrier + MPI_Rsend + MPI_Wait; MPI_Irecv + MPI_Issend +
!      2 MPI_Waitany; MPI_Isend + MPI_Probe + MPI_Iprobe + MPI_Recv + MPI_Wait;
!      MPI_Irecv + MPI_Isend + MPI_Wait + MPI_Waitsome; MPI_Irecv + MPI_Isend +
!      MPI_Testall until done; MPI_Irecv + MPI_Isend + MPI_Wait + MPI_Testany
!      until done; MPI_Sendrecv_replace                              9 messages
!   J  persistent requests: MPI_Recv_init + MPI_Send_init, MPI_Startall +
!      MPI_Waitall, 2 MPI_Start + 2 MPI_Wait, 2 MPI_Request_free     2 messages
!   K  MPI_Gatherv, MPI_Scatterv, MPI_Allgatherv, MPI_Alltoallv,
!      MPI_Reduce_scatter, MPI_Reduce_scatter_block, MPI_Scan, MPI_Exscan on
!      MPI_COMM_WORLD (n INTEGERs per rank each), then MPI_Comm_group,
!      MPI_Comm_create of the whole group, MPI_Comm_free
!
! Per rank: (6L + 13) messages of B bytes; 30 collective operations, sending
! B(1 + 12p + 4p^2) over all ranks. Every received value is checked; a wrong
! one makes the program stop with MPI_Abort.
!
! Usage: fortran_tour LAPS N
program fortran_tour
#ifdef USE_F08
  use mpi_f08
  use, intrinsic :: iso_c_binding, only: c_ptr
#else
  use mpi
#endif
  implicit none
#ifdef USE_F08
  type(MPI_Comm) :: half, copy, cart, sub, whole
  type(MPI_Group) :: world_group
  type(MPI_Request) :: req(4)
  type(MPI_Status) :: st, sts(4)
  type(c_ptr) :: detached
#define SOURCE_OF(s) s%MPI_SOURCE
#define SOURCE_AT(s, i) s(i)%MPI_SOURCE
#define IERR_
#else
  integer :: half, copy, cart, sub, whole
  integer :: world_group
  integer :: req(4)
  integer :: st(MPI_STATUS_SIZE), sts(MPI_STATUS_SIZE, 4)
  integer(kind=MPI_ADDRESS_KIND) :: detached
#define SOURCE_OF(s) s(MPI_SOURCE)
#define SOURCE_AT(s, i) s(MPI_SOURCE, i)
#define IERR_ , ierr
#endif
  integer :: ierr, provided, rank, p, hrank, hsize, next, prev, hnext, hprev, cprev, cnext
  integer :: laps, n, lap, i, errors
  integer :: dims(1), coords(1), crank, idx, idx2, outcount, indices(4), bsize, bdone
  logical :: periods(1), remain(1), flag
  integer, allocatable :: a(:), b(:), c(:), big(:), big2(:), counts(:), displs(:), bbuf(:)
  character(len=32) :: arg

  ierr = 0
  provided = 0
#ifdef USE_F08
  call MPI_Init_thread(MPI_THREAD_FUNNELED, provided IERR_)
#else
  call MPI_Init(ierr)
#endif
  call MPI_Comm_rank(MPI_COMM_WORLD, rank IERR_)
  call MPI_Comm_size(MPI_COMM_WORLD, p IERR_)
  laps = 5
  n = 16
  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read (arg, *) laps
  end if
  if (command_argument_count() >= 2) then
    call get_command_argument(2, arg)
    read (arg, *) n
  end if
  next = modulo(rank + 1, p)
  prev = modulo(rank - 1, p)
  allocate (a(n), b(n), c(n), big(n * p), big2(n * p), counts(p), displs(p))
  counts = n
  do i = 1, p
    displs(i) = (i - 1) * n
  end do
  errors = 0

  ! A: blocking ring.
  do lap = 1, laps
    a = rank * 100 + lap
    if (rank == 0) then
      call MPI_Send(a, n, MPI_INTEGER, next, 10, MPI_COMM_WORLD IERR_)
      call MPI_Recv(b, n, MPI_INTEGER, prev, 10, MPI_COMM_WORLD, st IERR_)
      if (SOURCE_OF(st) /= prev) errors = errors + 1
    else
      call MPI_Recv(b, n, MPI_INTEGER, prev, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE IERR_)
      call MPI_Send(a, n, MPI_INTEGER, next, 10, MPI_COMM_WORLD IERR_)
    end if
    if (b(n) /= prev * 100 + lap) errors = errors + 1
  end do

  ! B: nonblocking, completed one by one.
  do lap = 1, laps
    a = rank + lap
    call MPI_Irecv(b, n, MPI_INTEGER, MPI_ANY_SOURCE, 20, MPI_COMM_WORLD, req(1) IERR_)
    call MPI_Isend(a, n, MPI_INTEGER, next, 20, MPI_COMM_WORLD, req(2) IERR_)
    call MPI_Wait(req(1), st IERR_)
    call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
    if (SOURCE_OF(st) /= prev .or. b(1) /= prev + lap) errors = errors + 1
  end do

  ! C: completion found by MPI_Test.
  do lap = 1, laps
    a = rank - lap
    call MPI_Irecv(b, n, MPI_INTEGER, next, 30, MPI_COMM_WORLD, req(1) IERR_)
    call MPI_Isend(a, n, MPI_INTEGER, prev, 30, MPI_COMM_WORLD, req(2) IERR_)
    flag = .false.
    do while (.not. flag)
      call MPI_Test(req(1), flag, st IERR_)
    end do
    call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
    if (SOURCE_OF(st) /= next .or. b(1) /= next - lap) errors = errors + 1
  end do

  ! D: both neighbours at once, statuses ignored.
  do lap = 1, laps
    a = rank
    call MPI_Irecv(b, n, MPI_INTEGER, prev, 40, MPI_COMM_WORLD, req(1) IERR_)
    call MPI_Irecv(c, n, MPI_INTEGER, next, 41, MPI_COMM_WORLD, req(2) IERR_)
    call MPI_Isend(a, n, MPI_INTEGER, next, 40, MPI_COMM_WORLD, req(3) IERR_)
    call MPI_Isend(a, n, MPI_INTEGER, prev, 41, MPI_COMM_WORLD, req(4) IERR_)
    call MPI_Waitall(4, req, MPI_STATUSES_IGNORE IERR_)
    if (b(1) /= prev .or. c(1) /= next) errors = errors + 1
  end do

  ! E: MPI_Sendrecv.
  do lap = 1, laps
    a = rank * 7
    call MPI_Sendrecv(a, n, MPI_INTEGER, next, 50, b, n, MPI_INTEGER, prev, 50, MPI_COMM_WORLD, &
                      MPI_STATUS_IGNORE IERR_)
    if (b(1) /= prev * 7) errors = errors + 1
  end do

  ! F: collectives on MPI_COMM_WORLD.
  call MPI_Barrier(MPI_COMM_WORLD IERR_)
  a = 0
  if (rank == 0) a = 42
  call MPI_Bcast(a, n, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
  if (a(n) /= 42) errors = errors + 1
  a = 1
  call MPI_Reduce(a, b, n, MPI_INTEGER, MPI_SUM, 0, MPI_COMM_WORLD IERR_)
  if (rank == 0 .and. b(1) /= p) errors = errors + 1
  call MPI_Allreduce(a, b, n, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (b(n) /= p) errors = errors + 1
  b = 2
  call MPI_Allreduce(MPI_IN_PLACE, b, n, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (b(1) /= 2 * p) errors = errors + 1
  a = rank
  big = -1
  big(rank * n + 1:rank * n + n) = rank
  if (rank == 0) then
    call MPI_Gather(MPI_IN_PLACE, 0, MPI_INTEGER, big, n, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
    do i = 0, p - 1
      if (big(i * n + 1) /= i) errors = errors + 1
    end do
  else
    call MPI_Gather(a, n, MPI_INTEGER, big, n, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
  end if
  do i = 0, p - 1
    big(i * n + 1:i * n + n) = i + 1000
  end do
  call MPI_Scatter(big, n, MPI_INTEGER, b, n, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
  if (b(1) /= rank + 1000) errors = errors + 1
  call MPI_Allgather(a, n, MPI_INTEGER, big, n, MPI_INTEGER, MPI_COMM_WORLD IERR_)
  if (big(n * p) /= p - 1) errors = errors + 1
  do i = 0, p - 1
    big(i * n + 1:i * n + n) = rank * 1000 + i
  end do
  call MPI_Alltoall(big, n, MPI_INTEGER, big2, n, MPI_INTEGER, MPI_COMM_WORLD IERR_)
  if (big2(n * p) /= (p - 1) * 1000 + rank) errors = errors + 1

  ! G: a split communicator and a copy of it.
  call MPI_Comm_split(MPI_COMM_WORLD, mod(rank, 2), -rank, half IERR_)
  call MPI_Comm_rank(half, hrank IERR_)
  call MPI_Comm_size(half, hsize IERR_)
  hnext = modulo(hrank + 1, hsize)
  hprev = modulo(hrank - 1, hsize)
  a = rank
  call MPI_Sendrecv(a, n, MPI_INTEGER, hnext, 60, b, n, MPI_INTEGER, hprev, 60, half, st IERR_)
  if (SOURCE_OF(st) /= hprev) errors = errors + 1
  a = 1
  call MPI_Allreduce(a, b, n, MPI_INTEGER, MPI_SUM, half IERR_)
  if (b(1) /= hsize) errors = errors + 1
  call MPI_Comm_dup(half, copy IERR_)
  call MPI_Barrier(copy IERR_)
  call MPI_Comm_free(copy IERR_)
  call MPI_Comm_free(half IERR_)

  ! H: a periodic 1-D Cartesian communicator.
  dims(1) = p
  periods(1) = .true.
  call MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, .false., cart IERR_)
  call MPI_Cart_shift(cart, 0, 1, cprev, cnext IERR_)
  a = rank
  call MPI_Sendrecv(a, n, MPI_INTEGER, cnext, 70, b, n, MPI_INTEGER, cprev, 70, cart, MPI_STATUS_IGNORE IERR_)
  if (b(1) /= prev) errors = errors + 1
  call MPI_Cart_coords(cart, rank, 1, coords IERR_)
  if (coords(1) /= rank) errors = errors + 1
  call MPI_Cart_rank(cart, coords, crank IERR_)
  if (crank /= rank) errors = errors + 1
  remain(1) = .true.
  call MPI_Cart_sub(cart, remain, sub IERR_)
  call MPI_Comm_free(sub IERR_)
  call MPI_Comm_free(cart IERR_)

  ! I: the other sends, probes and completions; one message each, next <- prev.
  a = rank + 1
  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 80, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Ssend(a, n, MPI_INTEGER, next, 80, MPI_COMM_WORLD IERR_)
  call MPI_Wait(req(1), st IERR_)
  if (SOURCE_OF(st) /= prev .or. b(1) /= prev + 1) errors = errors + 1

  bsize = 4 * n + MPI_BSEND_OVERHEAD
  allocate (bbuf(bsize / 4 + 1))
  call MPI_Buffer_attach(bbuf, 4 * size(bbuf) IERR_)
  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 81, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Bsend(a, n, MPI_INTEGER, next, 81, MPI_COMM_WORLD IERR_)
  call MPI_Wait(req(1), MPI_STATUS_IGNORE IERR_)
  if (b(n) /= prev + 1) errors = errors + 1
  call MPI_Buffer_detach(detached, bdone IERR_)
  if (bdone /= 4 * size(bbuf)) errors = errors + 1

  ! The barrier makes sure every receive is posted before its ready send.
  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 82, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Barrier(MPI_COMM_WORLD IERR_)
  call MPI_Rsend(a, n, MPI_INTEGER, next, 82, MPI_COMM_WORLD IERR_)
  call MPI_Wait(req(1), MPI_STATUS_IGNORE IERR_)
  if (b(1) /= prev + 1) errors = errors + 1

  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 83, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Issend(a, n, MPI_INTEGER, next, 83, MPI_COMM_WORLD, req(2) IERR_)
  call MPI_Waitany(2, req, idx, st IERR_)
  call MPI_Waitany(2, req, idx2, MPI_STATUS_IGNORE IERR_)
  if (idx + idx2 /= 3 .or. b(1) /= prev + 1) errors = errors + 1
  if (idx == 1 .and. SOURCE_OF(st) /= prev) errors = errors + 1

  ! MPI_Iprobe after MPI_Probe finds the same message at once.
  b = -1
  call MPI_Isend(a, n, MPI_INTEGER, next, 84, MPI_COMM_WORLD, req(2) IERR_)
  call MPI_Probe(prev, 84, MPI_COMM_WORLD, st IERR_)
  if (SOURCE_OF(st) /= prev) errors = errors + 1
  flag = .false.
  call MPI_Iprobe(prev, 84, MPI_COMM_WORLD, flag, MPI_STATUS_IGNORE IERR_)
  if (.not. flag) errors = errors + 1
  call MPI_Recv(b, n, MPI_INTEGER, prev, 84, MPI_COMM_WORLD, MPI_STATUS_IGNORE IERR_)
  call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
  if (b(1) /= prev + 1) errors = errors + 1

  ! MPI_Waitsome over the receive and the already completed (null) send.
  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 85, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Isend(a, n, MPI_INTEGER, next, 85, MPI_COMM_WORLD, req(2) IERR_)
  call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
  call MPI_Waitsome(2, req, outcount, indices, sts IERR_)
  if (outcount /= 1 .or. indices(1) /= 1 .or. SOURCE_AT(sts, 1) /= prev .or. b(1) /= prev + 1) errors = errors + 1

  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 86, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Isend(a, n, MPI_INTEGER, next, 86, MPI_COMM_WORLD, req(2) IERR_)
  flag = .false.
  do while (.not. flag)
    call MPI_Testall(2, req, flag, sts IERR_)
  end do
  if (SOURCE_AT(sts, 1) /= prev .or. b(n) /= prev + 1) errors = errors + 1

  b = -1
  call MPI_Irecv(b, n, MPI_INTEGER, prev, 87, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Isend(a, n, MPI_INTEGER, next, 87, MPI_COMM_WORLD, req(2) IERR_)
  call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
  flag = .false.
  do while (.not. flag)
    call MPI_Testany(2, req, idx, flag, st IERR_)
  end do
  if (idx /= 1 .or. SOURCE_OF(st) /= prev .or. b(1) /= prev + 1) errors = errors + 1

  a = rank * 3
  call MPI_Sendrecv_replace(a, n, MPI_INTEGER, next, 88, prev, 88, MPI_COMM_WORLD, st IERR_)
  if (SOURCE_OF(st) /= prev .or. a(n) /= prev * 3) errors = errors + 1

  ! J: persistent requests, started twice.
  a = rank + 5
  b = -1
  call MPI_Recv_init(b, n, MPI_INTEGER, prev, 90, MPI_COMM_WORLD, req(1) IERR_)
  call MPI_Send_init(a, n, MPI_INTEGER, next, 90, MPI_COMM_WORLD, req(2) IERR_)
  call MPI_Startall(2, req IERR_)
  call MPI_Waitall(2, req, MPI_STATUSES_IGNORE IERR_)
  if (b(1) /= prev + 5) errors = errors + 1
  ! Same data again: the buffers are not arguments of MPI_Start, so the
  ! compiler may move assignments to them across it.
  call MPI_Start(req(1) IERR_)
  call MPI_Start(req(2) IERR_)
  call MPI_Wait(req(2), MPI_STATUS_IGNORE IERR_)
  call MPI_Wait(req(1), st IERR_)
  if (SOURCE_OF(st) /= prev .or. b(1) /= prev + 5) errors = errors + 1
  call MPI_Request_free(req(1) IERR_)
  call MPI_Request_free(req(2) IERR_)

  ! K: the vector collectives, reductions that scatter, scans.
  a = rank
  big = -1
  call MPI_Gatherv(a, n, MPI_INTEGER, big, counts, displs, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
  if (rank == 0 .and. big(n * p) /= p - 1) errors = errors + 1
  do i = 0, p - 1
    big(i * n + 1:i * n + n) = i + 2000
  end do
  call MPI_Scatterv(big, counts, displs, MPI_INTEGER, b, n, MPI_INTEGER, 0, MPI_COMM_WORLD IERR_)
  if (b(n) /= rank + 2000) errors = errors + 1
  big = -1
  call MPI_Allgatherv(a, n, MPI_INTEGER, big, counts, displs, MPI_INTEGER, MPI_COMM_WORLD IERR_)
  if (big(1) /= 0 .or. big(n * p) /= p - 1) errors = errors + 1
  do i = 0, p - 1
    big(i * n + 1:i * n + n) = rank * 1000 + i
  end do
  call MPI_Alltoallv(big, counts, displs, MPI_INTEGER, big2, counts, displs, MPI_INTEGER, MPI_COMM_WORLD IERR_)
  if (big2(n * p) /= (p - 1) * 1000 + rank) errors = errors + 1
  big = 1
  call MPI_Reduce_scatter(big, b, counts, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (b(1) /= p) errors = errors + 1
  big = 2
  call MPI_Reduce_scatter_block(big, b, n, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (b(n) /= 2 * p) errors = errors + 1
  a = 1
  call MPI_Scan(a, b, n, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (b(1) /= rank + 1) errors = errors + 1
  b = -1
  call MPI_Exscan(a, b, n, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD IERR_)
  if (rank > 0 .and. b(1) /= rank) errors = errors + 1

  call MPI_Comm_group(MPI_COMM_WORLD, world_group IERR_)
  call MPI_Comm_create(MPI_COMM_WORLD, world_group, whole IERR_)
  call MPI_Group_free(world_group IERR_)
  call MPI_Comm_free(whole IERR_)

  if (errors /= 0) then
    print '(a, i0, a, i0, a)', 'fortran_tour: rank ', rank, ': ', errors, ' wrong results'
    call MPI_Abort(MPI_COMM_WORLD, 1 IERR_)
  end if
  if (rank == 0) print '(a, i0, a, i0, a, i0, a)', 'fortran_tour: ', p, ' ranks, ', laps, ' laps of ', n, ' integers: ok'
  deallocate (a, b, c, big, big2, counts, displs, bbuf)
  call MPI_Finalize(ierr)
end program fortran_tour
