/**
 * The release job as a provider-neutral CI job: a multi-platform image built
 * with BuildKit and pushed, tagged sha-<commit> (and the version on a v* tag),
 * signed keyless with cosign on its digest, with an SPDX and a CycloneDX SBOM
 * from syft attested to the same digest. The digest is the job's output
 * IMAGE_DIGEST, which every deploy uses.
 */
import type { Facts } from '../core/facts.ts';
import type { CiJob } from '../core/slots.ts';

/** Platforms of the released image. */
export const IMAGE_PLATFORMS = 'linux/amd64,linux/arm64';

/** The `publish-image` job: runs on main and on v* tags. */
export function imageCiJob(facts: Facts): CiJob {
  return {
    name: 'publish-image',
    stage: 'release',
    on: { main: true, tags: true },
    needs: [],
    services: [],
    env: { IMAGE: facts.image, PLATFORMS: IMAGE_PLATFORMS, SOURCE_URL: facts.sourceUrl },
    node: false,
    tools: ['docker', 'cosign', 'syft'],
    registryLogin: true,
    idToken: true,
    outputs: ['IMAGE_DIGEST'],
    steps: [
      {
        name: 'Build and push the image',
        run: [
          'short_sha=$(printf %s "$COMMIT_SHA" | cut -c1-7)',
          'version=',
          'set -- --tag "$IMAGE:sha-$short_sha"',
          'if [ -n "$RELEASE_TAG" ]; then',
          '  version=${RELEASE_TAG#v}',
          '  set -- "$@" --tag "$IMAGE:$version" --tag "$IMAGE:${version%.*}"',
          'fi',
          // The Dockerfile's ARGs fill the OCI labels: source, revision, build time, version.
          'set -- "$@" --build-arg SOURCE_URL="$SOURCE_URL" --build-arg REVISION="$COMMIT_SHA" --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg VERSION="${version:-sha-$short_sha}"',
          'docker buildx build --platform "$PLATFORMS" --pull --push --provenance mode=max "$@" .',
          'digest=$(docker buildx imagetools inspect "$IMAGE:sha-$short_sha" --format "{{json .Manifest.Digest}}" | tr -d \'"\')',
          'case "$digest" in sha256:*) ;; *) echo "No digest for $IMAGE:sha-$short_sha" >&2; exit 1 ;; esac',
          'echo "IMAGE_DIGEST=$digest" >> ci-outputs.env',
        ].join('\n'),
      },
      {
        name: 'Sign the image digest (keyless)',
        run: ['. ./ci-outputs.env', 'cosign sign --yes "$IMAGE@$IMAGE_DIGEST"'].join('\n'),
      },
      {
        name: 'SBOM (SPDX and CycloneDX), attested to the digest',
        run: [
          '. ./ci-outputs.env',
          'syft scan "registry:$IMAGE@$IMAGE_DIGEST" --output "spdx-json=sbom.spdx.json" --output "cyclonedx-json=sbom.cdx.json"',
          'cosign attest --yes --type spdxjson --predicate sbom.spdx.json "$IMAGE@$IMAGE_DIGEST"',
          'cosign attest --yes --type cyclonedx --predicate sbom.cdx.json "$IMAGE@$IMAGE_DIGEST"',
        ].join('\n'),
      },
    ],
    artifacts: [{ name: 'sbom', paths: ['sbom.spdx.json', 'sbom.cdx.json'], expireDays: 90, when: 'on_success' }],
    caches: [],
    permissions: { packages: 'write', 'id-token': 'write' },
    timeoutMinutes: 45,
  };
}

/**
 * Shell lines writing release-notes.md: the CHANGELOG.md section of the tag's
 * version (Keep a Changelog: `## [1.2.3] - 2026-01-31`) up to the next `## `
 * heading, then the released image by digest. Fails when the section is
 * missing or empty, so a release never goes out without notes.
 */
export const RELEASE_NOTES_SCRIPT = [
  'version="${RELEASE_TAG#v}"',
  'awk -v heading="[$version]" \'/^## / { if (found) exit; found = index($0, heading) == 4; next } found\' CHANGELOG.md > release-notes.md',
  'if ! grep -q \'[^[:space:]]\' release-notes.md; then echo "CHANGELOG.md has no notes under ## [$version]" >&2; exit 1; fi',
  'printf \'\\nImage: %s@%s, signed keyless with cosign; SBOMs (SPDX, CycloneDX) attached.\\n\' "$IMAGE" "$IMAGE_DIGEST" >> release-notes.md',
].join('\n');

/** The `publish-release` job: on a v* tag, the provider's release with notes from CHANGELOG.md and the image's SBOMs. */
export function releaseCiJob(facts: Facts): CiJob {
  const image = imageCiJob(facts);
  const sbom = image.artifacts.find((artifact) => artifact.name === 'sbom');
  if (!sbom) throw new Error(`${image.name} publishes no sbom artifact`);
  return {
    name: 'publish-release',
    stage: 'release',
    on: { tags: true },
    needs: [image.name],
    services: [],
    env: { IMAGE: facts.image },
    node: false,
    steps: [{ name: 'Release notes from CHANGELOG.md', run: RELEASE_NOTES_SCRIPT }],
    release: { notesFile: 'release-notes.md', assets: { job: image.name, artifact: sbom.name, paths: sbom.paths } },
    artifacts: [],
    caches: [],
    permissions: { contents: 'write' },
    timeoutMinutes: 10,
  };
}
