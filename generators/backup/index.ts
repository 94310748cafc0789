import { FeatureGenerator } from '../core/feature-generator.ts';
import { backupFeature } from './feature.ts';

export default class BackupGenerator extends FeatureGenerator {
  readonly feature = backupFeature;
}
