/**
 * The container image: a multi-stage Dockerfile (pinned base, non-root,
 * tini as PID 1, health check, OCI labels) and its allowlist .dockerignore.
 */
import type { Feature } from '../core/feature.ts';
import { ciJobsSlot, readmeSlot } from '../core/slots.ts';
import { imageCiJob } from './ci-job.ts';

export const containerFeature: Feature = {
  name: 'container',
  summary: 'Dockerfile (multi-stage, non-root, pinned base) and .dockerignore.',
  applies: () => true,
  contribute: ({ facts, part }) => [readmeSlot.of({ title: 'Container image', order: 30, body: part('readme-image.md') }), ciJobsSlot.of(imageCiJob(facts))],
};
