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
!      MPI_Comm_free                                                 1 message
!
! Per rank: (6L + 2) messages of B bytes; 17 collective operations sending
! B(1 + 6p + p^2)/p + B on average (all ranks: B(1 + 7p + p^2)). Every received
! value is checked; a wrong one makes the program stop with MPI_Abort.
!
! Usage: fortran_tour LAPS N
program fortran_tour
#ifdef USE_F08
  use mpi_f08
#else
  use mpi
#endif
  implicit none
#ifdef USE_F08
  type(MPI_Comm) :: half, copy, cart
  type(MPI_Request) :: req(4)
  type(MPI_Status) :: st
#define SOURCE_OF(s) s%MPI_SOURCE
#define IERR_
#else
  integer :: half, copy, cart
  integer :: req(4)
  integer :: st(MPI_STATUS_SIZE)
#define SOURCE_OF(s) s(MPI_SOURCE)
#define IERR_ , ierr
#endif
  integer :: ierr, provided, rank, p, hrank, hsize, next, prev, hnext, hprev, cprev, cnext
  integer :: laps, n, lap, i, errors
  integer :: dims(1)
  logical :: periods(1), flag
  integer, allocatable :: a(:), b(:), c(:), big(:), big2(:)
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
  allocate (a(n), b(n), c(n), big(n * p), big2(n * p))
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
  call MPI_Comm_free(cart IERR_)

  if (errors /= 0) then
    print '(a, i0, a, i0, a)', 'fortran_tour: rank ', rank, ': ', errors, ' wrong results'
    call MPI_Abort(MPI_COMM_WORLD, 1 IERR_)
  end if
  if (rank == 0) print '(a, i0, a, i0, a, i0, a)', 'fortran_tour: ', p, ' ranks, ', laps, ' laps of ', n, ' integers: ok'
  deallocate (a, b, c, big, big2)
  call MPI_Finalize(ierr)
end program fortran_tour
