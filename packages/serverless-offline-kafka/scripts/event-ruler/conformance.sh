#!/usr/bin/env bash
# Reference check, not part of the test suite: runs the filter conformance fixture through AWS's own matcher
# (aws/event-ruler from Maven Central) to confirm every recorded expectation. Needs Java 17+ and Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
classpath="$(mktemp)"
trap 'rm -f "$classpath"' EXIT
mvn -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$classpath" >&2
java -cp "$(cat "$classpath")" "$here/CheckConformance.java" "$here/../../tests/fixtures/filter-conformance.json"
