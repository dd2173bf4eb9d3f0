/**
 * The project directory (where cdktf.json is) as a path from a stack's Terraform working
 * directory: cdktf runs Terraform in `cdktf.out/stacks/<stack>`, three levels below it, for
 * every stack of the app. Paths built on it keep the synthesized JSON free of this machine's
 * absolute paths, so the checkout can move.
 */
export const PROJECT_DIR_FROM_STACK = '../../..';
