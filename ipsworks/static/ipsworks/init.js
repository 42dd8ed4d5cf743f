// Start the NHS.UK frontend components (an ES module, loaded without inline script for CSP).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
