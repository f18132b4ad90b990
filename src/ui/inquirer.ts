// The prompts the tool uses, from the packages @inquirer/prompts is made of.
// Importing @inquirer/prompts itself would bundle its editor prompt too (~500 KB
// of encoding tables): it is not marked side-effect free, so it cannot be tree-shaken.
export { default as confirm } from '@inquirer/confirm';
export { default as input } from '@inquirer/input';
export { default as password } from '@inquirer/password';
export { default as select } from '@inquirer/select';
export { default as checkbox } from '@inquirer/checkbox';
