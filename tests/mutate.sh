#!/bin/sh
# Mutation testing, one module group at a time (slow: outside CI; README, Tests).
#   tests/mutate.sh format|archive|feed|portals|images|all   run the group, then print its score
#   tests/mutate.sh score GROUP                               print the score of the last run
# Survivors: `mutmut results`, `mutmut show <name>`; the equivalent ones are in tests/README.md.
# After changing [tool.mutmut] in pyproject.toml, delete mutants/ (cached results are kept or dropped).
set -euf   # -f: the mutant name patterns are not file globs
cd "$(dirname "$0")/.."
MUTMUT=${MUTMUT:-.venv/bin/mutmut}

patterns() {
    case "$1" in
    format) echo 'crawler.postformat.*' ;;
    archive) echo 'crawler.archive.* pipelines.post.*' ;;
    feed) echo 'crawler.parsers.feed.*' ;;
    portals) echo 'crawler.parsers.ofweek.* crawler.parsers.ithome.* crawler.parsers.cnbeta.*' \
        'crawler.parsers.oschina.* crawler.parsers.kr36.*' ;;
    # images.py: only the functions holding IMAGES_MAX_BYTES/_PIXELS/_SIZE and IMAGES_TIMEOUT
    images) for f in __init__ get_media_requests media_downloaded media_failed; do
        printf 'pipelines.images.xǁLocalImagesPipelineǁ%s__mutmut_* ' "$f"; done ;;
    all) for g in format archive feed portals images; do patterns "$g"; done ;;
    *) echo "usage: $0 format|archive|feed|portals|images|all | score GROUP" >&2; exit 2 ;;
    esac
}

score() {
    # killed (timeouts count as killed) / (killed + survived), over the group's checked mutants
    "$MUTMUT" results --all true 2>/dev/null | awk -v pats="$(patterns "$1")" '
        BEGIN { n = split(pats, p, " "); for (i = 1; i <= n; i++) { gsub(/\./, "\\.", p[i]); gsub(/\*/, ".*", p[i]) } }
        { name = $1; sub(/:$/, "", name); for (i = 1; i <= n; i++) if (name ~ "^" p[i] "$") { s[$NF]++; break } }
        END { k = s["killed"] + s["timeout"]; t = k + s["survived"]
              printf "%d of %d killed (%.1f %%), %d not checked\n", k, t, t ? 100 * k / t : 0, s["checked"] }'
}

if [ "${1:-}" = score ]; then patterns "${2:-}" >/dev/null && score "$2"; exit; fi
pats=$(patterns "${1:-}")   # an unknown group stops here (never a run of everything)
# shellcheck disable=SC2086
CI=1 PYTEST_ADDOPTS="-n 0" NEWSARCHIVE_TEST_SHARED=${NEWSARCHIVE_TEST_SHARED:-$PWD/../shared} \
    "$MUTMUT" run --max-children "${MUTMUT_CHILDREN:-1}" $pats
score "$1"
