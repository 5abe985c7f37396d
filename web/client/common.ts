// Every page but the watch page, which loads the same script itself after the first frame
// (player.ts): search suggestions (_common.ts).
import "./_common";
