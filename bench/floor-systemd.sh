# Adapters for the bench harness (its README: "To add an activator, write NAME_caps, NAME_accept
# and NAME_listen"); `make bench` sources this file from the copy's adapters.sh. The floor built
# from bench/floor-systemd.patch, to measure what systemd's semantics cost a bare C activator:
#   floor-held  the floor, an Accept=yes connection held until its process is reaped
#   floor-sd    floor-held plus the system calls systemd makes per spawn that the floor skips
floor-held_caps()   { echo "accept"; }
floor-held_accept() { launch "$BIN/floor-held" -a -r "127.0.0.1:$1:$2" -- "$SVC_INETD"; }
floor-sd_caps()     { echo "accept listen"; }
floor-sd_accept()   { launch "$BIN/floor-sd" -a -r "127.0.0.1:$1:$2" -- "$SVC_INETD"; }
floor-sd_listen()   { launch "$BIN/floor-sd" -r "127.0.0.1:$1:$2" -- "$SVC_LISTEN" --once; }
