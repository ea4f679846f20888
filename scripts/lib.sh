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
    # xmllint: invoice tests validate Facturae files against the schema.
    command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
    # pdftotext, pdfinfo: they read invoice PDFs back in the tests.
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
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

# The browser suite's tools: Debian's Chromium and ChromeDriver, Node.js to
# fetch axe-core from the npm registry (pinned; npm checks its integrity),
# kept outside the clone like the cargo target folder. Exports
# CABILDO_AXE_JS, the script the suite injects into each page.
AXE_CORE_VERSION=4.14.1
ensure_browser() {
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "Installing ${missing[*]} (Debian packages) for the browser tests …"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    local axe_dir="$HOME/.cache/cabildo-browser/axe-core-$AXE_CORE_VERSION"
    if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
        echo "Fetching axe-core $AXE_CORE_VERSION from the npm registry …"
        mkdir -p "$axe_dir"
        npm install --silent --no-audit --no-fund --prefix "$axe_dir" "axe-core@$AXE_CORE_VERSION" >/dev/null
    fi
    export CABILDO_AXE_JS="$axe_dir/node_modules/axe-core/axe.min.js"
}

# An S3-compatible server for the object-storage tests: moto's, from PyPI
# (pinned), in a virtual environment outside the clone. Exports
# CABILDO_TEST_MOTO_SERVER, the program the tests start.
MOTO_VERSION=5.2.5
ensure_s3() {
    # Debian's python3 has the venv module without ensurepip, which it needs.
    if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv >/dev/null
    fi
    local venv="$HOME/.cache/cabildo-moto-$MOTO_VERSION"
    if [ ! -x "$venv/bin/moto_server" ]; then
        echo "Fetching moto $MOTO_VERSION (an S3-compatible server) from PyPI …"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "moto[s3]==$MOTO_VERSION" "flask==3.1.3" "flask-cors==6.0.5"
    fi
    export CABILDO_TEST_MOTO_SERVER="$venv/bin/moto_server"
}

# The Citus extension for the machine's PostgreSQL, built from the source
# the team keeps beside the clone (../shared/citus, or CABILDO_CITUS_SOURCE:
# a folder with Citus' tarball and its `install` script). Returns 1 when it
# is neither installed nor buildable here.
ensure_citus() {
    compgen -G "/usr/lib/postgresql/*/lib/citus.so" >/dev/null && return 0
    local source="${CABILDO_CITUS_SOURCE:-$(pwd)/../shared/citus}"
    if [ ! -x "$source/install" ]; then
        echo "Citus is not installed and $source/install does not exist." >&2
        return 1
    fi
    echo "Building Citus from $source (a few minutes) …"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo "$source/install"
}

# Starts `cabildo services` (its options in "$@") in a temporary folder,
# exports the tests' variables, and stops it when the script exits.
start_test_services() {
    services_dir="$(mktemp -d "${TMPDIR:-/tmp}/cabildo-test.XXXXXX")"
    chmod 755 "$services_dir"   # PostgreSQL may run as another user
    "$CARGO_TARGET_DIR/debug/cabildo" --log-format text services --ephemeral "$@" \
        --dir "$services_dir" --env-file "$services_dir/env" >"$services_dir/services.log" 2>&1 &
    services_pid=$!
    trap 'kill "$services_pid" 2>/dev/null && wait "$services_pid" 2>/dev/null || true; rm -rf "$services_dir"' EXIT
    for _ in $(seq 1 1200); do
        [ -f "$services_dir/env" ] && break
        if ! kill -0 "$services_pid" 2>/dev/null; then
            echo "local services failed to start:" >&2
            cat "$services_dir/services.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    [ -f "$services_dir/env" ] || { echo "local services did not start within 120 s" >&2; exit 1; }
    local name
    # Only what these services are: a Citus setting left in the shell would
    # make tests treat one PostgreSQL as a cluster.
    unset CABILDO_TEST_CITUS_WORKERS
    for name in CABILDO_TEST_POSTGRES_PORT CABILDO_TEST_REDIS_URL CABILDO_TEST_CITUS_WORKERS; do
        if grep -q "^$name=" "$services_dir/env"; then
            export "$name=$(sed -n "s/^$name=//p" "$services_dir/env")"
        fi
    done
}
