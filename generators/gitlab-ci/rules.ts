/** The `rules: if:` expressions of the GitLab pipeline: when a pipeline is for a merge request, main, a v* tag or a person. */
// Pushes only: a pipeline run by hand or on a schedule on main builds and deploys nothing.
export const ON_MAIN = '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
export const ON_TAG = '$CI_COMMIT_TAG =~ /^v/';
export const ON_MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';
export const BY_HAND = '$CI_PIPELINE_SOURCE == "web"';
