/**
 * The container image: a multi-stage Dockerfile (pinned base, non-root,
 * tini as PID 1, health check, OCI labels) and its allowlist .dockerignore.
 */
import type { Facts } from "../core/facts.ts";
import type { Feature } from "../core/feature.ts";
import {
  checklistSlot,
  ciJobsSlot,
  readmeSlot,
  type ChecklistItem,
} from "../core/slots.ts";
import { imageCiJob, releaseCiJob } from "./ci-job.ts";

/** The image's security-checklist items (OWASP Top 10:2025 category, OWASP ASVS 5.0 ids). */
export function containerChecklist(facts: Facts): ChecklistItem[] {
  return [
    {
      id: "container-non-root",
      category: "A02",
      asvs: ["V13.2.2"],
      text: `The image runs as the unprivileged user ${facts.appUser}, never as root, with tini as PID 1 forwarding signals.`,
      implementedBy: { file: "Dockerfile" },
    },
    {
      id: "container-build-context-allowlist",
      category: "A02",
      asvs: ["V13.4.1"],
      text: "The build context is an allowlist: .git, .env files, tests and local data never reach the image or the build cache.",
      implementedBy: { file: ".dockerignore" },
    },
    {
      id: "container-pinned-base-image",
      category: "A03",
      asvs: ["V15.1.2"],
      text: "The base image is pinned by digest and production dependencies are installed with `npm ci --omit=dev` from the lockfile.",
      implementedBy: { file: "Dockerfile" },
    },
    // With a CI pipeline, the release job signs images and the deploy verifies them (the CI feature's item).
    ...(facts.usesGithubActions || facts.usesGitlabCi
      ? []
      : [
          {
            id: "container-image-signing",
            category: "A08",
            asvs: [],
            text: "Sign every released image (for example with cosign) and let the deploy accept only signed digests.",
            implementedBy: {
              manual:
                "whoever owns the release pipeline, before the first production release",
            },
          } satisfies ChecklistItem,
        ]),
  ];
}

export const containerFeature: Feature = {
  name: "container",
  summary: "Dockerfile (multi-stage, non-root, pinned base) and .dockerignore.",
  applies: () => true,
  contribute: ({ facts, part }) => [
    readmeSlot.of({
      title: "Container image",
      order: 30,
      body: part("readme-image.md"),
    }),
    checklistSlot.of(...containerChecklist(facts)),
    ciJobsSlot.of(imageCiJob(facts), releaseCiJob(facts)),
  ],
};
