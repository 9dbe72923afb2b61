// Every raw corpus case conforms (one file per family, so that --shard splits the corpus).
import { corpusFamilyConforms } from './helpers/corpus-cases.js';

corpusFamilyConforms('raw');
