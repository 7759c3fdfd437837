# Installs roomvoice as a room device (a Raspberry Pi): sourced by
# `device/setup.sh --install`, which runs it as root after setting up and building.
#
#   /usr/local/bin/roomvoice                 the binary
#   /usr/local/lib/roomvoice/                libvosk, libtensorflowlite_c (rpath
#                                            $ORIGIN/../lib/roomvoice, see build.rs)
#   /usr/local/share/roomvoice/models/       the wake-word model (and the English Vosk
#                                            model when setup found one); the unit's
#                                            working directory, where `auto` finds them
#   /etc/roomvoice/roomvoice.toml            from device/roomvoice.example.toml, kept
#                                            once there; root:roomvoice 0640
#   /etc/roomvoice/<secret files>            the config's password_file /
#                                            client_secret_file: roomvoice, mode 0600
#   /var/lib/roomvoice/                      the service's state (StateDirectory): the
#                                            room's .ics calendar (bookings rewrite it)
#                                            and the calendar outage snapshot
#   /etc/systemd/system/roomvoice.service    device/roomvoice.service, enabled
#
# A system user `roomvoice` in group `audio` runs the service. Safe to run again: the
# binary, libraries, models and unit are replaced; the config and calendar are kept.

ROOMVOICE_USER=roomvoice
ROOMVOICE_ETC=/etc/roomvoice
ROOMVOICE_STATE=/var/lib/roomvoice
ROOMVOICE_SHARE=/usr/local/share/roomvoice
ROOMVOICE_LIB=/usr/local/lib/roomvoice
ROOMVOICE_UNIT=/etc/systemd/system/roomvoice.service

install_say() { printf '\n== %s\n' "$*"; }

# install_room_device ROOT BINARY
install_room_device() {
  local root=$1 binary=$2 arch
  arch=$(uname -m)
  if [ ! -x "$binary" ]; then
    echo "install: no roomvoice binary at $binary (build it, or pass --binary FILE)" >&2
    return 1
  fi

  install_say "install: the system user $ROOMVOICE_USER (group audio)"
  if ! id -u "$ROOMVOICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$ROOMVOICE_STATE" --no-create-home \
      --shell /usr/sbin/nologin --comment "roomvoice meeting-room assistant" "$ROOMVOICE_USER"
  fi
  getent group audio >/dev/null || groupadd --system audio
  id -nG "$ROOMVOICE_USER" | tr ' ' '\n' | grep -qx audio || usermod -aG audio "$ROOMVOICE_USER"

  install_say "install: /usr/local/bin/roomvoice and its libraries ($arch)"
  install -D -m 0755 "$binary" /usr/local/bin/roomvoice
  install -d -m 0755 "$ROOMVOICE_LIB"
  local lib
  for lib in "$root/vendor/vosk/$arch/libvosk.so" "$root/vendor/tflite/$arch/libtensorflowlite_c.so"; do
    if [ -f "$lib" ]; then install -m 0644 "$lib" "$ROOMVOICE_LIB/"; fi
  done
  install -d -m 0755 "$ROOMVOICE_SHARE/models"
  if [ -d "$root/models/wakeword" ]; then
    rm -rf "$ROOMVOICE_SHARE/models/wakeword"
    cp -rL "$root/models/wakeword" "$ROOMVOICE_SHARE/models/wakeword"
  fi
  if [ -d "$root/models/vosk/en-us" ]; then
    rm -rf "$ROOMVOICE_SHARE/models/vosk/en-us"
    mkdir -p "$ROOMVOICE_SHARE/models/vosk"
    cp -rL "$root/models/vosk/en-us" "$ROOMVOICE_SHARE/models/vosk/en-us"
  fi
  chmod -R a+rX "$ROOMVOICE_SHARE"

  install_say "install: configuration in $ROOMVOICE_ETC, state in $ROOMVOICE_STATE"
  install -d -m 0750 -o root -g "$ROOMVOICE_USER" "$ROOMVOICE_ETC"
  install -d -m 0750 -o "$ROOMVOICE_USER" -g "$ROOMVOICE_USER" "$ROOMVOICE_STATE"
  local config="$ROOMVOICE_ETC/roomvoice.toml"
  if [ ! -f "$config" ]; then
    # The example's calendar is "room.ics" beside the config; on a device it lives in
    # the state directory, the one place the hardened unit may write (bookings).
    sed "s|^path = \"room.ics\" .*|path = \"$ROOMVOICE_STATE/room.ics\"     # bookings rewrite it: keep it in the state directory|" \
      "$root/device/roomvoice.example.toml" > "$config.new"
    mv "$config.new" "$config"
    echo "install: wrote $config from device/roomvoice.example.toml: edit it for this room"
  fi
  chown root:"$ROOMVOICE_USER" "$config"
  chmod 0640 "$config"
  if [ ! -f "$ROOMVOICE_STATE/room.ics" ]; then
    install -m 0640 -o "$ROOMVOICE_USER" -g "$ROOMVOICE_USER" "$root/device/demo/room.ics" "$ROOMVOICE_STATE/room.ics"
    echo "install: $ROOMVOICE_STATE/room.ics is the demo room's calendar: replace it, or configure Exchange / Office 365"
  fi

  # Secret files named by the config (password_file, client_secret_file): readable by
  # the service user only. Their contents are never printed.
  local secret
  while IFS= read -r secret; do
    [ -n "$secret" ] || continue
    if [ -f "$secret" ]; then
      chown "$ROOMVOICE_USER:$ROOMVOICE_USER" "$secret"
      chmod 0600 "$secret"
      echo "install: $secret: owner $ROOMVOICE_USER, mode 0600"
    else
      echo "install: $secret (named in $config) does not exist yet: write it, then run this again (or: install -m 0600 -o $ROOMVOICE_USER /dev/stdin $secret)"
    fi
  done < <(sed -nE 's/^[[:space:]]*(password_file|client_secret_file)[[:space:]]*=[[:space:]]*"([^"]+)".*/\2/p' "$config")

  install_say "install: the systemd unit $ROOMVOICE_UNIT"
  install -m 0644 "$root/device/roomvoice.service" "$ROOMVOICE_UNIT"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable roomvoice.service
    echo "install: enabled; start it with: systemctl start roomvoice (logs: journalctl -u roomvoice -f)"
  else
    echo "install: systemd is not running here (a container?): the unit is installed but not enabled;" \
         "on the device run: systemctl daemon-reload && systemctl enable --now roomvoice"
  fi
  echo "install: check the calendar connection as the service user:" \
       "(cd $ROOMVOICE_SHARE && runuser -u $ROOMVOICE_USER -- /usr/local/bin/roomvoice check --config $config)"
}
