#!/usr/bin/env bash
# Reference check, not part of the test suite: runs the filter conformance fixture (or the cases file given, e.g.
# from random-cases.ts) through AWS's own matcher, aws/event-ruler from Maven Central, and lists every case whose
# recorded answer differs from event-ruler's. Needs Java 17+ and Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classpath="$(mktemp)"
trap 'rm -f "$classpath"' EXIT
mvn -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$classpath" >&2
java -cp "$(cat "$classpath")" "$here/CheckConformance.java" "${1:-$here/../../tests/fixtures/filter-conformance.json}"
