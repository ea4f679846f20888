# Shared by scripts/demo and scripts/test: install what is missing, pick the
# cargo target folder. Source it from the repository root.

# Reuse one target folder outside the clone, so fresh clones (CI) do not
# rebuild every dependency.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cabildo-target}"
mkdir -p "$CARGO_TARGET_DIR"

have_postgres() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

# Installs PostgreSQL server binaries and Redis from Debian packages when
# they are missing.
ensure_packages() {
    local missing=()
    have_postgres || missing+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "Installing ${missing[*]} (Debian packages) …"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
        # Debian starts the packaged servers; ours run in their own folders.
        $sudo systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "cargo (Rust) is required: install it with rustup, then run this again." >&2
        exit 1
    fi
}
