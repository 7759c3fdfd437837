/*
 * The one PocketSphinx operation roomvoice needs that the 5prealpha API does not offer:
 * putting the live cepstral mean (CMN) back to the model's initial value before each
 * utterance. Without it one decoder carries the mean of whatever it heard before, and
 * the same recording decodes differently depending on what came first.
 */
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fe.h>

/* Returns 0 on success, -1 when the decoder has no feature state. */
int roomvoice_ps_reset_cmn(ps_decoder_t *ps)
{
    feat_t *feat = ps_get_feat(ps);
    if (feat == NULL || feat->cmn_struct == NULL)
        return -1;
    cmn_t *cmn = feat->cmn_struct;
    mfcc_t *init = calloc((size_t)cmn->veclen, sizeof(mfcc_t));
    if (init == NULL)
        return -1;
    const char *text = cmd_ln_str_r(ps_get_config(ps), "-cmninit");
    if (text != NULL) {
        /* "41.00,-5.29,..." (the model's feat.params) */
        char *copy = strdup(text);
        if (copy != NULL) {
            int i = 0;
            for (char *tok = strtok(copy, ","); tok != NULL && i < cmn->veclen;
                 tok = strtok(NULL, ","))
                init[i++] = FLOAT2MFCC(atof(tok));
            free(copy);
        }
    }
    cmn_live_set(cmn, init);
    free(init);
    return 0;
}

/* Forgets the voice-activity detector's noise estimate: the second pass then hears
 * its utterance the same whatever the decoder heard before it. */
void roomvoice_ps_reset_noise(ps_decoder_t *ps)
{
    fe_t *fe = ps_get_fe(ps);
    if (fe != NULL)
        fe_start_stream(fe);
}
