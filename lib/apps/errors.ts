import { VaiError } from '../errors.js';

/** A value given to an app's feature code is missing, not finite or outside its documented range. */
export class FeatureError extends VaiError {
  override name = 'FeatureError';
}

/** An app data file (a text data set) cannot be read. */
export class AppDataError extends VaiError {
  override name = 'AppDataError';
}
