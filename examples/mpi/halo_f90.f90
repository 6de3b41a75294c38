! A 1-D Jacobi-style halo exchange in Fortran 90 (use mpi) on a periodic ring of
! ranks. Every iteration each rank sends `width` doubles to each neighbour and
! receives as many from each (MPI_Isend/MPI_Irecv, completed by one MPI_Waitall),
! updates its cells, and every 10 iterations computes a global residual with
! MPI_Allreduce.
!
! Per rank and iteration: 2 MPI_Isend + 2 MPI_Irecv of 8*width bytes, 1 MPI_Waitall;
! iterations/10 MPI_Allreduce calls in all.
!
!   rondo record -o halo_f90.rondo -- mpirun -np 4 ./mpi_halo_f90 100
!   rondo stats halo_f90.rondo
!
! Arguments: iterations (default 100), halo width in cells (default 8), cells per
! rank (default 1000).
program halo_f90
  use mpi
  implicit none
  integer, parameter :: dp = kind(1.0d0)
  integer :: iterations, width, n, it, i, ierr, rank, nranks, left, right
  integer :: requests(4), statuses(MPI_STATUS_SIZE, 4)
  real(dp), allocatable :: u(:), v(:)
  real(dp) :: local, residual
  character(len=32) :: arg

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)

  iterations = 100
  width = 8
  n = 1000
  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read (arg, *) iterations
  end if
  if (command_argument_count() >= 2) then
    call get_command_argument(2, arg)
    read (arg, *) width
  end if
  if (command_argument_count() >= 3) then
    call get_command_argument(3, arg)
    read (arg, *) n
  end if
  if (width < 1) width = 1
  if (n < width) n = width

  left = modulo(rank - 1, nranks)
  right = modulo(rank + 1, nranks)
  ! Cells 1..n are ours; 1-width..0 and n+1..n+width are the halos.
  allocate (u(1 - width:n + width), v(1 - width:n + width))
  u = real(rank, dp)
  v = 0
  residual = 0

  do it = 1, iterations
    ! Tag 1 travels to the right, tag 2 to the left.
    call MPI_Irecv(u(1 - width), width, MPI_DOUBLE_PRECISION, left, 1, MPI_COMM_WORLD, requests(1), ierr)
    call MPI_Irecv(u(n + 1), width, MPI_DOUBLE_PRECISION, right, 2, MPI_COMM_WORLD, requests(2), ierr)
    call MPI_Isend(u(n - width + 1), width, MPI_DOUBLE_PRECISION, right, 1, MPI_COMM_WORLD, requests(3), ierr)
    call MPI_Isend(u(1), width, MPI_DOUBLE_PRECISION, left, 2, MPI_COMM_WORLD, requests(4), ierr)
    call MPI_Waitall(4, requests, statuses, ierr)
    if (statuses(MPI_SOURCE, 1) /= left .or. statuses(MPI_SOURCE, 2) /= right) then
      print *, 'halo_f90: rank', rank, 'got a halo from the wrong neighbour'
      call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
    end if

    do i = 1, n
      v(i) = 0.25_dp * u(i - 1) + 0.5_dp * u(i) + 0.25_dp * u(i + 1)
    end do
    u(1:n) = v(1:n)

    if (mod(it, 10) == 0) then
      local = sum(u(1:n))
      call MPI_Allreduce(local, residual, 1, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, ierr)
    end if
  end do

  if (rank == 0) then
    write (*, '(a, i0, a, i0, a, i0, a, i0, a, f0.3)') 'halo_f90: ', nranks, ' ranks, ', iterations, &
      ' iterations, halos of ', width, ' doubles, ', iterations / 10, ' reductions, residual ', residual
  end if
  deallocate (u, v)
  call MPI_Finalize(ierr)
end program halo_f90
