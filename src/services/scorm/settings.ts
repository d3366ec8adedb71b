import path from 'node:path';
import type { Config } from '../../config';
import type { PackageStore } from './packages';
import type { PlayerLinkSettings } from './player-links';

/** Where SCORM packages live, what an upload may hold, and how the player's links are signed. */
export interface ScormSettings {
  store: PackageStore;
  links: PlayerLinkSettings;
}

const MB = 1024 * 1024;

type ScormConfig = Pick<Config, 'SCORM_STORAGE_DIR' | 'SCORM_MAX_UPLOAD_MB' | 'SCORM_MAX_ENTRIES' | 'SCORM_MAX_FILE_MB' | 'SCORM_MAX_PACKAGE_MB' | 'SCORM_MAX_COMPRESSION_RATIO' | 'SCORM_LAUNCH_LINK_MINUTES'>;

export function scormSettings(config: ScormConfig, secret: string): ScormSettings {
  return { store: packageStore(config), links: { secret, launchMinutes: config.SCORM_LAUNCH_LINK_MINUTES } };
}

/** The store as configured; a relative SCORM_STORAGE_DIR is taken from the working directory. */
export function packageStore(config: ScormConfig): PackageStore {
  return {
    root: path.resolve(config.SCORM_STORAGE_DIR),
    maxUploadBytes: config.SCORM_MAX_UPLOAD_MB * MB,
    limits: {
      maxEntries: config.SCORM_MAX_ENTRIES,
      maxFileBytes: config.SCORM_MAX_FILE_MB * MB,
      maxTotalBytes: config.SCORM_MAX_PACKAGE_MB * MB,
      maxCompressionRatio: config.SCORM_MAX_COMPRESSION_RATIO,
      maxManifestBytes: 8 * MB,
    },
  };
}
