# Step timing for packaging/build and packaging/linux/make-deb (sourced, not run): each step's
# wall and CPU seconds go to stderr, so a slow build shows where its time went. CPU is what
# this shell and the children it waited for used (/proc/$$/stat): under load wall time says
# little, CPU seconds do not move with the neighbours. Without /proc (macOS) CPU shows 0, and
# without bash 5's EPOCHREALTIME wall time is in whole seconds.
STEP_NAME=""
STEP_WALL=0
STEP_CPU=0
STEP_TICKS=$(getconf CLK_TCK)

_step_cpu_ticks() {
    # utime stime cutime cstime: fields 14-17, counted after the ")" of the command name.
    if [ -r "/proc/$$/stat" ]; then
        sed 's/.*) //' "/proc/$$/stat" | awk '{print $12 + $13 + $14 + $15}'
    else
        echo 0
    fi
}

# step NAME: end the step under way (print its times) and start NAME; `step ""` ends the last.
step() {
    local now cpu
    now=${EPOCHREALTIME:-$SECONDS}
    cpu=$(_step_cpu_ticks)
    if [ -n "$STEP_NAME" ]; then
        awk -v name="$STEP_NAME" -v wall="$(awk -v a="$now" -v b="$STEP_WALL" \
            'BEGIN {print a - b}')" -v cpu="$(( cpu - STEP_CPU ))" -v ticks="$STEP_TICKS" \
            'BEGIN {printf "== %-28s %6.1f s wall %6.1f s CPU\n", name, wall, cpu / ticks}' >&2
    fi
    STEP_NAME=$1
    STEP_WALL=$now
    STEP_CPU=$cpu
}
