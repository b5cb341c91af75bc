#!/usr/bin/env bash
# Build tasks for Linux CI and this repository's dev boxes (bash + the .NET SDK; pwsh is a local dotnet tool).
# The same tasks, for PowerShell users: ./build.ps1 -Task Build|Test|Pester|Demo|Package|Benchmark|Help
#   ./build.sh build      restore pwsh (dotnet tool restore), build everything, stage the module in module/AutomateAudit
#   ./build.sh test       build, then run every test: xunit, then the Pester suite in pwsh (needs mariadb-server, see README)
#   ./build.sh demo       build, then run the demo on a sandbox MariaDB seeded with a simulated fleet
#   ./build.sh package    build, then package the module: artifacts/AutomateAudit/<version>/ and artifacts/AutomateAudit.<version>.nupkg
#                         (extra arguments go to build.ps1, e.g. -OutputPath; signing needs Windows: docs/signing.md)
#   ./build.sh bench [N...]  build, then run the connection-audit benchmark (default sizes 10000 100000)
#   ./build.sh help       regenerate the cmdlet help (MAML) from docs/help/*.md
set -euo pipefail
cd "$(dirname "$0")"
CONFIGURATION="${CONFIGURATION:-Release}"
task="${1:-build}"
shift || true

build() {
    # pwsh 7 (.config/dotnet-tools.json) runs the Pester suite, the demo's script and the packaging.
    dotnet tool restore >/dev/null
    dotnet build AuditCmdlets.sln -c "$CONFIGURATION" -nologo -v:minimal
}

pwsh() {
    dotnet pwsh -NoProfile -NonInteractive "$@"
}

# The tests and the demo start a private MariaDB (unless AUTOMATEAUDIT_TEST_MYSQL names an existing server),
# and the HTML report is tested in Debian's headless Chromium: install what is missing.
ensure_packages() {
    local want=""
    if [ -z "${AUTOMATEAUDIT_TEST_MYSQL:-}" ] && ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
        want="mariadb-server tzdata"
    fi
    if [ "${1:-}" = "with-browser" ] && [ ! -x /usr/bin/chromium ]; then want="$want chromium"; fi
    [ -z "$want" ] && return
    echo "Installing from Debian's packages (needed by the tests and the demo): $want" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "Missing: run 'apt-get install -y $want' as root (or set AUTOMATEAUDIT_TEST_MYSQL for the database)." >&2
            exit 1
        fi
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $want >/dev/null
}

case "$task" in
    build)
        build
        ;;
    test)
        ensure_packages with-browser
        build
        log="$(mktemp)"
        xunit_status=0
        dotnet test AuditCmdlets.sln -c "$CONFIGURATION" --no-build -nologo 2>&1 | tee "$log" || xunit_status=$?
        xunit_passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
        xunit_failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ s += $2 } END { print s + 0 }')
        pester_status=0
        pwsh -File build.ps1 -Task Pester -Configuration "$CONFIGURATION" -NoBuild 2>&1 | tee "$log" || pester_status=$?
        pester_line=$(grep -E '^Pester: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
        pester_passed=$(echo "$pester_line" | awk '{ print $2 + 0 }')
        pester_failed=$(echo "$pester_line" | awk '{ print $4 + 0 }')
        rm -f "$log"
        if [ -z "$pester_line" ] && [ "$pester_status" -eq 0 ]; then pester_status=1; fi
        echo "xunit: ${xunit_passed:-0} passed, ${xunit_failed:-0} failed (exit $xunit_status); Pester: ${pester_passed:-0} passed, ${pester_failed:-0} failed (exit $pester_status)" >&2
        echo "$(( ${xunit_passed:-0} + ${pester_passed:-0} )) passed, $(( ${xunit_failed:-0} + ${pester_failed:-0} )) failed"
        if [ "$xunit_status" -ne 0 ] || [ "$pester_status" -ne 0 ]; then exit 1; fi
        ;;
    demo)
        ensure_packages
        build
        dotnet "tools/AutomateAudit.Demo/bin/$CONFIGURATION/net10.0/AutomateAudit.Demo.dll" "$@"
        ;;
    package)
        build
        pwsh -File build.ps1 -Task Package -Configuration "$CONFIGURATION" -NoBuild "$@"
        ;;
    help)
        build
        dotnet "tools/AutomateAudit.HelpGen/bin/$CONFIGURATION/net10.0/AutomateAudit.HelpGen.dll" "$PWD"
        build
        ;;
    bench)
        ensure_packages
        build
        dotnet "bench/AutomateAudit.Benchmarks/bin/$CONFIGURATION/net10.0/AutomateAudit.Benchmarks.dll" "$@"
        ;;
    *)
        echo "unknown task '$task' (build, test, demo, package, bench, help)" >&2
        exit 2
        ;;
esac
