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
