import { wireSubscribeButtons } from "./_subscribe";

wireSubscribeButtons(document.getElementById("subscribe-status"));
