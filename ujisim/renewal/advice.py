"""What a renewal holder is told after a failed identity check, one piece of advice per reason
the check gives (``proctoring.bursts.burst_reason``, the face and liveness results);
``application.identity_advice`` picks it, with a general sentence for any other reason.
"""

from __future__ import annotations

from flask_babel import gettext as _

ADVICE = {
    "no_face": lambda: _(
        "We could not see your face. Sit facing the camera in good light, with nothing "
        "covering your face, and try again."
    ),
    "several_faces": lambda: _(
        "More than one face was in the picture. Make sure you are alone in front of the "
        "camera and try again."
    ),
    "different_person": lambda: _(
        "Your face did not match the photo on your SIM clearly enough. Remove glasses or a "
        "cap, face the camera in even light and try again."
    ),
    "liveness": lambda: _(
        "The movement check was not completed. Follow the instruction on the screen (turn "
        "your head, blink) slowly and try again."
    ),
    "camera": lambda: _(
        "The camera picture was too dark or too small. Turn on a light in front of you and "
        "move closer to the camera."
    ),
    "still": lambda: _(
        "No movement was seen. When the screen asks, turn your head, look up, close your eyes or "
        "open your mouth, and try again."
    ),
    "missing_action": lambda: _(
        "One action was not seen in its time. Do each action as soon as the screen shows it, "
        "and try again."
    ),
    "unrequested_action": lambda: _(
        "An action was done that the screen did not ask for. Do only what the screen shows, "
        "look at the camera in between, and try again."
    ),
    "not_frontal": lambda: _(
        "Your head did not come back to face the camera between actions. Look at the camera "
        "whenever the screen asks, and try again."
    ),
    "action_timing": lambda: _(
        "An action was let go too soon or held too long. Hold each action until the screen "
        "says to look at the camera, then look at the camera, and try again."
    ),
    "timing": lambda: _(
        "The pictures did not arrive in time. Keep this page open until the check ends, and "
        "try again."
    ),
    "duplicate_frames": lambda: _(
        "The pictures did not come from a live camera. Use your device's camera directly and "
        "try again."
    ),
    "discontinuous": lambda: _(
        "Your face jumped between pictures. Keep your face in view and the device steady, and "
        "try again."
    ),
    "mirrored_frames": lambda: _(
        "The pictures did not come from a live camera (one was the mirror image of another). "
        "Use your device's camera directly and try again."
    ),
    "too_few_frames": lambda: _(
        "Your face was visible in too few pictures. Keep your whole face in view during the "
        "check, and try again."
    ),
    "expired": lambda: _(
        "The check took too long. Start it again and follow the instructions right away."
    ),
}
