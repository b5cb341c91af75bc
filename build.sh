#!/usr/bin/env bash
# Build tasks for machines without PowerShell (Linux CI, this repository's dev boxes).
# The same tasks, for PowerShell users: ./build.ps1 -Task Build|Test|Demo|Package|Benchmark
#   ./build.sh build      build everything and stage the importable module in module/AutomateAudit
#   ./build.sh test       build, then run every test (needs mariadb-server, see README)
#   ./build.sh demo       build, then run the demo on a sandbox MariaDB seeded with a simulated fleet
#   ./build.sh package    build, then zip module/AutomateAudit into artifacts/
#   ./build.sh bench [N...]  build, then run the connection-audit benchmark (default sizes 10000 100000)
#   ./build.sh help       regenerate the cmdlet help (MAML) from docs/help/*.md
set -euo pipefail
cd "$(dirname "$0")"
CONFIGURATION="${CONFIGURATION:-Release}"
task="${1:-build}"
shift || true

build() {
    dotnet build AuditCmdlets.sln -c "$CONFIGURATION" -nologo -v:minimal
}

# The tests and the demo start a private MariaDB; install Debian's server when it is missing
# (unless AUTOMATEAUDIT_TEST_MYSQL names an existing server to use instead).
ensure_mariadb() {
    if [ -n "${AUTOMATEAUDIT_TEST_MYSQL:-}" ] || command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then
        return
    fi
    echo "Installing mariadb-server from Debian's packages (needed by the tests and the demo)..." >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "mariadb-server is missing: run 'apt-get install -y mariadb-server tzdata' as root, or set AUTOMATEAUDIT_TEST_MYSQL." >&2
            exit 1
        fi
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server tzdata >/dev/null
}

shell() {
    dotnet "tools/AutomateAudit.Shell/bin/$CONFIGURATION/net10.0/aashell.dll" "$@"
}

case "$task" in
    build)
        build
        ;;
    test)
        ensure_mariadb
        build
        log="$(mktemp)"
        status=0
        dotnet test AuditCmdlets.sln -c "$CONFIGURATION" --no-build -nologo 2>&1 | tee "$log" || status=$?
        passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
        failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
        rm -f "$log"
        echo "${passed:-0} passed, ${failed:-0} failed"
        exit "$status"
        ;;
    demo)
        ensure_mariadb
        build
        dotnet "tools/AutomateAudit.Demo/bin/$CONFIGURATION/net10.0/AutomateAudit.Demo.dll" "$@"
        ;;
    package)
        build
        mkdir -p artifacts
        version=$(grep -Eo "ModuleVersion *= *'[^']+'" AutomateAudit.psd1 | grep -Eo "[0-9][0-9.]+")
        shell -Command "Add-Type -AssemblyName System.IO.Compression.FileSystem -ErrorAction SilentlyContinue; \$zip = [IO.Path]::GetFullPath('artifacts/AutomateAudit-$version.zip'); if (Test-Path \$zip) { [IO.File]::Delete(\$zip) }; [IO.Compression.ZipFile]::CreateFromDirectory([IO.Path]::GetFullPath('module/AutomateAudit'), \$zip, 'Optimal', \$true); \$zip"
        ;;
    help)
        build
        dotnet "tools/AutomateAudit.HelpGen/bin/$CONFIGURATION/net10.0/AutomateAudit.HelpGen.dll" "$PWD"
        build
        ;;
    bench)
        ensure_mariadb
        build
        dotnet "bench/AutomateAudit.Benchmarks/bin/$CONFIGURATION/net10.0/AutomateAudit.Benchmarks.dll" "$@"
        ;;
    *)
        echo "unknown task '$task' (build, test, demo, package, bench, help)" >&2
        exit 2
        ;;
esac
