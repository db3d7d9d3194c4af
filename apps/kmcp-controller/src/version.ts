/** The kmcp controller's version (`kagent_build_info{version}`). */
export const VERSION = '0.1.0';
