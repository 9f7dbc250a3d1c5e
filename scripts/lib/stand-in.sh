# shellcheck shell=bash
# shellcheck disable=SC2034 # constants for the sourcing script
# The local Descope stand-in's facts (local/descope-stand-in), once for the shell scripts that run
# it (scripts/dev.sh and, through scripts/lib/api-checks.sh, the API tests). Sourced.

STAND_IN_PROJECT_ID=P2LocalStandInProject
DEMO_PASSWORD=demo-password
# The demo users sign in as <name>@example.com, each with the roles its name says.
DEMO_USERS=(teacher student both norole)
declare -A DEMO_USER_ROLES=([teacher]='role teacher' [student]='role student'
    [both]='roles teacher and student' [norole]='no role')
